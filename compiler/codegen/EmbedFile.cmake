# Writes INPUT's bytes as a C++ array: cmake -DINPUT=f -DOUTPUT=f.cpp
# -DSYMBOL=name -P EmbedFile.cmake. Used to embed libjit's bitcode in cnnc.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" length)
math(EXPR size "${length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by EmbedFile.cmake.\n#include <cstddef>\nnamespace cnnc {\nextern const unsigned char ${SYMBOL}[] = {${bytes}};\nextern const size_t ${SYMBOL}Size = ${size};\n}\n")
