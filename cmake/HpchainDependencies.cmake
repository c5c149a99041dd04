# Every dependency comes from Debian 12 packages installed by ./run
# (see the package list there). A missing one fails configure with its name.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(RocksDB REQUIRED CONFIG)
find_package(Protobuf REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1)
pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
# Server reflection (rpc/): in libgrpc++-dev, without a pkg-config file.
find_library(GRPCPP_REFLECTION_LIBRARY grpc++_reflection REQUIRED)
# Boost.Asio (p2p) is header-only: Debian 12's libboost1.81-dev, the newer
# of its two Boost versions. toml++ reads config.toml; prometheus-cpp serves
# /metrics.
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS headers)
find_package(tomlplusplus 3 REQUIRED)
find_package(prometheus-cpp REQUIRED CONFIG)

if(HPCHAIN_BUILD_TESTS)
  find_package(GTest REQUIRED)
  find_package(benchmark REQUIRED)
endif()
