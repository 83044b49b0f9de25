#include "cli/profiling.hpp"

#include <gperftools/heap-profiler.h>
#include <gperftools/profiler.h>

#include <cstdlib>

#include "util/file.hpp"
#include "util/log.hpp"

namespace rkt::cli {

Profiling::Profiling(std::string cpu_profile, std::string mem_profile)
    : m_cpu_profile(std::move(cpu_profile)), m_mem_profile(std::move(mem_profile)) {
  if (!m_cpu_profile.empty() && !ProfilerStart(m_cpu_profile.c_str())) {
    log::warn("could not start the CPU profiler writing to {}", m_cpu_profile);
    m_cpu_profile.clear();
  }
  if (!m_mem_profile.empty()) HeapProfilerStart(m_mem_profile.c_str());
}

Profiling::~Profiling() {
  if (!m_cpu_profile.empty()) {
    ProfilerFlush();
    ProfilerStop();
  }
  if (!m_mem_profile.empty()) {
    // The profiler names its periodic dumps <prefix>.NNNN.heap; the user asked for one file.
    char* profile = GetHeapProfile();
    HeapProfilerStop();
    if (profile) {
      log::warn_and_drop(util::write_file_atomic(m_mem_profile, profile));
      std::free(profile);
    }
  }
}

}  // namespace rkt::cli
