// What --version prints and the start-up log names: "0.2.0 (<commit>[-dirty], <date>, <build
// type>, <compiler>)", generated at build time (cmake/build_info.cmake).
#pragma once

namespace archibald {

const char* build_info();

}  // namespace archibald
