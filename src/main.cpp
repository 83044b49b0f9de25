#include "cli/cli.hpp"

int main(int argc, char** argv) { return rkt::cli::run(argc, argv); }
