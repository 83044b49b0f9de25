function(rkt_set_warnings target)
  # -Wmaybe-uninitialized is off: g++ 12 at -O2 reports false positives through std::variant
  # (our Result<T>) moved into a local; -Wuninitialized still catches the real cases.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers
                         -Wno-maybe-uninitialized)
endfunction()
