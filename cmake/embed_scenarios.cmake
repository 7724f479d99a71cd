# cmake -DOUT=file.cpp -DDIR=load-tests/scenarios -P embed_scenarios.cmake
# Writes the scenario JSON files into a C++ table (archibald::load::embedded_scenarios).
file(GLOB files "${DIR}/*.json")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME_WE)
  file(READ "${f}" text)
  string(APPEND body "      {\"${name}\", R\"__json__(${text})__json__\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from load-tests/scenarios/*.json by cmake/embed_scenarios.cmake.
#include \"load/scenario.hpp\"

namespace archibald::load {

const std::vector<embedded_scenario>& embedded_scenarios() {
  static const std::vector<embedded_scenario> all = {
${body}  };
  return all;
}

}  // namespace archibald::load
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
