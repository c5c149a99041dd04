// Internal to genesis/: the two helpers every error message is built with.
#pragma once

#include <string>
#include <string_view>

#include "chain/status.h"

namespace hpchain::genesis::detail {

// InvalidArgument "<where>: <what>".
inline Status field_error(std::string_view where, std::string_view what) {
  return Status::invalid_argument(std::string(where) + ": " + std::string(what));
}

// "<list>[i]", the path of a list element.
inline std::string at_index(std::string_view list, size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

}  // namespace hpchain::genesis::detail
