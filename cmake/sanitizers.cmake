# -DRKT_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
option(RKT_SANITIZE "Build with ASan and UBSan" OFF)
if(RKT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
