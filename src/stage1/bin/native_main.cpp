// stage1-native's only binary: /init, with /enter, /stop and /gc as symlinks to it.
#include "stage1/entrypoints.hpp"

int main(int argc, char** argv) {
  return rkt::stage1::dispatch(rkt::stage1::Flavor::native, argc, argv);
}
