#include <sys/utsname.h>

#include <iostream>

#include "appc/types.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace rkt::cli {

void add_version_command(CommandTable& table, Context&) {
  table.add(nullptr, "version", "Print the version and exit", []() -> Result<int> {
    utsname host{};
    ::uname(&host);
    std::cout << "rkt Version: " << RKT_VERSION << "\n"
              << "appc Version: " << appc::k_ac_version << "\n"
              << "C++ Compiler: g++ " << __VERSION__ << "\n"
              << "OS/Arch: " << host.sysname << "/" << host.machine << "\n"
              << "Features: -TPM -SDJOURNAL\n";
    return k_exit_success;
  });
}

}  // namespace rkt::cli
