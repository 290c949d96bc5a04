#include "cnnc_rt.h"

#include <gtest/gtest.h>

#include <string>

TEST(Runtime, EveryStatusHasItsOwnMessage) {
  EXPECT_STREQ(cnnc_status_message(CNNC_OK), "ok");
  std::string mismatch = cnnc_status_message(CNNC_ERROR_WEIGHTS_MISMATCH);
  EXPECT_NE(mismatch.find("weights"), std::string::npos);
  EXPECT_STREQ(cnnc_status_message(static_cast<cnnc_status>(99)),
               "unknown status");
}
