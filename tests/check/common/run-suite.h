// SPDX-License-Identifier: LGPL-2.1-or-later
// A Check suite as the whole test program: its exit status is 0 only if
// every test passed.
#pragma once

#include <check.h>

inline int run_suite(Suite* s)
{
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
