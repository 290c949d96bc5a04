// Randomized differential tests of the code generator (see
// DifferentialTestSupport.h).
#include "DifferentialTestSupport.h"

using namespace cnnc;
using namespace cnnc::difftest;
