# cmake -DOUT=file.cpp -DDIR=dir -DPATTERNS="a/*|b/*.json" -DINCLUDE=x/y.hpp
#       -DNAMESPACE=archibald -DTYPE=web_asset -DFUNCTION=web_assets [-DSTRIP_EXTENSION=ON] -P embed_files.cmake
# Writes the files under DIR that match PATTERNS into a C++ table: `const std::vector<TYPE>&
# FUNCTION()`, each entry {name, content} with the name relative to DIR (without its extension
# if STRIP_EXTENSION). Used for the load scenarios and the web pages served by the server.
string(REPLACE "|" ";" PATTERNS "${PATTERNS}")
set(files "")
foreach(pattern IN LISTS PATTERNS)
  file(GLOB matched "${DIR}/${pattern}")
  list(APPEND files ${matched})
endforeach()
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  file(RELATIVE_PATH name "${DIR}" "${f}")
  if(STRIP_EXTENSION)
    string(REGEX REPLACE "\\.[^./]*$" "" name "${name}")
  endif()
  file(READ "${f}" text)
  if(text MATCHES "\\)__embedded__\"")
    message(FATAL_ERROR "${f} contains the raw-string delimiter )__embedded__\"")
  endif()
  string(APPEND body "      {\"${name}\", R\"__embedded__(${text})__embedded__\"},\n")
endforeach()
file(RELATIVE_PATH source_dir "${CMAKE_CURRENT_LIST_DIR}/.." "${DIR}")
file(WRITE "${OUT}.tmp" "// Generated from ${source_dir} by cmake/embed_files.cmake: do not edit.
#include \"${INCLUDE}\"

namespace ${NAMESPACE} {

const std::vector<${TYPE}>& ${FUNCTION}() {
  static const std::vector<${TYPE}> all = {
${body}  };
  return all;
}

}  // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
