# embed_calendar.cmake - build-time script: compiles the holiday calendar
# shipped with shuniu (src/base/calendar/*.txt, in the import format of
# src/base/calendar.h) into a C file, so that the binary never reads it from
# disk.  The files are joined in name order (2024.txt, 2025.txt, ...), each
# ending with a newline.
#
#     cmake -DDIR=src/base/calendar -DOUT=calendar_builtin.c -P embed_calendar.cmake
#
# Writes `const char calendar_builtin_text[]` (NUL-terminated) and
# `const size_t calendar_builtin_len`, declared in src/base/calendar.h.
if(NOT DIR OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -DDIR=... -DOUT=... -P embed_calendar.cmake")
endif()
file(GLOB files "${DIR}/*.txt")
list(SORT files)
set(hex "")
foreach(f ${files})
  file(READ "${f}" h HEX)
  string(LENGTH "${h}" n)
  if(n GREATER 0)
    math(EXPR last "${n} - 2")
    string(SUBSTRING "${h}" ${last} 2 tail)
    if(NOT tail STREQUAL "0a")
      string(APPEND h "0a")
    endif()
  endif()
  string(APPEND hex "${h}")
endforeach()
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# one line of C for each line of text
string(REPLACE "0x0a," "0x0a,\n    " bytes "${bytes}")
file(WRITE "${OUT}.tmp"
  "/* generated from src/base/calendar/YYYY.txt by\n"
  " * tools/embed_calendar.cmake; do not edit */\n"
  "#include \"base/calendar.h\"\n\n"
  "const char calendar_builtin_text[] = {\n    ${bytes}0x00};\n"
  "const size_t calendar_builtin_len = ${len};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
