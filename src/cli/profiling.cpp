#include "cli/profiling.hpp"

#include <dlfcn.h>
#include <gperftools/heap-profiler.h>
#include <gperftools/profiler.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "util/file.hpp"
#include "util/log.hpp"

namespace rkt::cli {

namespace {

// The sonames of Debian's libgoogle-perftools4.
constexpr const char* k_profiler_library = "libprofiler.so.0";
constexpr const char* k_tcmalloc_library = "libtcmalloc.so.4";

template <typename Function>
Function* symbol(void* library, const char* name) {
  return reinterpret_cast<Function*>(::dlsym(library, name));
}

void* cpu_profiler() {
  static void* library = ::dlopen(k_profiler_library, RTLD_NOW | RTLD_GLOBAL);
  return library;
}

/// Re-executes rkt with tcmalloc preloaded, unless it already is; returns only on failure.
void reexec_with_tcmalloc(char** argv) {
  if (::dlsym(RTLD_DEFAULT, "HeapProfilerStart") != nullptr) return;
  std::string preload = k_tcmalloc_library;
  if (const char* existing = std::getenv("LD_PRELOAD"); existing && *existing) {
    // Preloaded already, yet not loaded (not installed): executing again would loop.
    if (std::string_view(existing).find(k_tcmalloc_library) != std::string_view::npos) return;
    preload += ':';
    preload += existing;
  }
  ::setenv("LD_PRELOAD", preload.c_str(), 1);
  ::execv("/proc/self/exe", argv);
  log::warn("could not re-execute rkt with {} for --memprofile: {}", k_tcmalloc_library,
            std::strerror(errno));
}

}  // namespace

Profiling::Profiling(std::string cpu_profile, std::string mem_profile, char** argv)
    : m_cpu_profile(std::move(cpu_profile)), m_mem_profile(std::move(mem_profile)) {
  if (!m_mem_profile.empty()) {
    reexec_with_tcmalloc(argv);
    auto* start = symbol<decltype(HeapProfilerStart)>(RTLD_DEFAULT, "HeapProfilerStart");
    if (start) {
      start(m_mem_profile.c_str());
    } else {
      log::warn("could not start the heap profiler ({}) writing to {}", k_tcmalloc_library,
                m_mem_profile);
      m_mem_profile.clear();
    }
  }
  if (!m_cpu_profile.empty()) {
    auto* start =
        cpu_profiler() ? symbol<decltype(ProfilerStart)>(cpu_profiler(), "ProfilerStart") : nullptr;
    if (!start || !start(m_cpu_profile.c_str())) {
      log::warn("could not start the CPU profiler ({}) writing to {}", k_profiler_library,
                m_cpu_profile);
      m_cpu_profile.clear();
    }
  }
}

Profiling::~Profiling() {
  if (!m_cpu_profile.empty()) {
    symbol<decltype(ProfilerFlush)>(cpu_profiler(), "ProfilerFlush")();
    symbol<decltype(ProfilerStop)>(cpu_profiler(), "ProfilerStop")();
  }
  if (!m_mem_profile.empty()) {
    // The profiler names its periodic dumps <prefix>.NNNN.heap; the user asked for one file.
    char* profile = symbol<decltype(GetHeapProfile)>(RTLD_DEFAULT, "GetHeapProfile")();
    symbol<decltype(HeapProfilerStop)>(RTLD_DEFAULT, "HeapProfilerStop")();
    if (profile) {
      log::warn_and_drop(util::write_file_atomic(m_mem_profile, profile));
      std::free(profile);
    }
  }
}

}  // namespace rkt::cli
