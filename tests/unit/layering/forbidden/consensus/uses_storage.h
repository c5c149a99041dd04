// A fixture for the layering check, not code: consensus may not include
// node's storage. tests/unit/layering/CMakeLists.txt expects the check to
// fail on line 4.
#include "node/storage/store.h"
