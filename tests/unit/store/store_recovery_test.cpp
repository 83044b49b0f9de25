// Crash safety and concurrency of the image store: orphans left by killed processes are cleaned
// up, and several processes importing at once all succeed.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "store/image_store.hpp"
#include "store/store_fixture.hpp"
#include "store/temp_file.hpp"
#include "util/file.hpp"
#include "util/lock_file.hpp"

namespace rkt::store::test {
namespace {

using ::testing::HasSubstr;

class StoreRecovery : public StoreFixture {
 protected:
  const std::string m_fake_key = "sha512-" + std::string(64, 'a');

  fs::path plant_orphan_blob(ImageStore& store) {
    const fs::path blob = store.blob_path(m_fake_key);
    fs::create_directories(blob.parent_path());
    AciBuilder::write_bytes(blob, "orphan");
    return blob;
  }
};

TEST_F(StoreRecovery, RemovesBlobsWithoutRows) {
  auto store = open_store();
  const fs::path blob = plant_orphan_blob(store);
  ASSERT_TRUE(store.recover());
  EXPECT_FALSE(util::path_exists(blob));
}

TEST_F(StoreRecovery, LeavesABlobWhoseLockIsHeld) {
  // That is an import between its rename and its commit.
  auto store = open_store();
  const fs::path blob = plant_orphan_blob(store);
  auto lock =
      util::LockFile::acquire(store.paths().image_lock(m_fake_key), util::LockMode::exclusive);
  ASSERT_TRUE(lock);
  ASSERT_TRUE(store.recover());
  EXPECT_TRUE(util::path_exists(blob));
}

TEST_F(StoreRecovery, RemovesStaleTempFilesButNotLiveOnes) {
  auto store = open_store();
  const fs::path stale = store.paths().tmp / "import-dead";
  AciBuilder::write_bytes(stale, "partial");
  const fs::path stale_dir = store.paths().tmp / "docker2aci-dead";
  fs::create_directories(stale_dir / "sub");
  auto live = store.create_temp_file();
  ASSERT_TRUE(live) << live.error().message;

  ASSERT_TRUE(store.recover());
  EXPECT_FALSE(util::path_exists(stale));
  EXPECT_FALSE(util::path_exists(stale_dir));
  EXPECT_TRUE(util::path_exists(live->path()));
  const fs::path live_path = live->path();
  { auto dropped = std::move(*live); }
  EXPECT_FALSE(util::path_exists(live_path));
}

TEST_F(StoreRecovery, RemovesRowsWhoseBlobVanished) {
  auto store = open_store();
  auto info = store.import_aci(write_aci(AciBuilder::simple("example.com/lost")));
  ASSERT_TRUE(info) << info.error().message;
  fs::remove(store.blob_path(info->key));
  ASSERT_TRUE(store.recover());
  EXPECT_EQ(store.get_by_key(info->key).error().kind, ErrorKind::not_found);
}

TEST_F(StoreRecovery, ImportRunsRecoveryFirst) {
  auto store = open_store();
  const fs::path blob = plant_orphan_blob(store);
  AciBuilder::write_bytes(store.paths().tmp / "import-dead", "partial");
  ASSERT_TRUE(store.import_aci(write_aci(AciBuilder::simple("example.com/ok"))));
  EXPECT_FALSE(util::path_exists(blob));
  EXPECT_FALSE(util::path_exists(store.paths().tmp / "import-dead"));
}

/// Runs `body` in a child process; returns its exit status (or -signal).
template <typename F>
pid_t spawn(F body) {
  pid_t pid = ::fork();
  if (pid == 0) _exit(body());
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST_F(StoreRecovery, SigkillAtAnyMomentLeavesAConsistentStore) {
  { auto store = open_store(); }
  std::vector<fs::path> acis;
  for (int i = 0; i < 4; ++i) {
    auto b = AciBuilder::simple("example.com/kill" + std::to_string(i));
    b.file("rootfs/payload", std::string(4 << 20, static_cast<char>('a' + i)));
    acis.push_back(write_aci(b, Compression::gzip, "kill" + std::to_string(i)));
  }
  for (int round = 0; round < 12; ++round) {
    pid_t child = spawn([&] {
      auto store = ImageStore::open(data_dir());
      if (!store) return 1;
      for (int n = 0;; ++n) {
        const auto& aci = acis[static_cast<size_t>(n) % acis.size()];
        if (!store->import_aci(aci)) return 2;
        if (n % 3 == 2) (void)store->remove(store->list()->front().key);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + round * 7));
    ::kill(child, SIGKILL);
    EXPECT_EQ(wait_status(child), -SIGKILL) << "round " << round;

    auto store = open_store();
    // Never a row without its blob, even before recovery.
    auto listed = store.list();
    ASSERT_TRUE(listed);
    for (const auto& image : *listed) {
      EXPECT_TRUE(util::is_regular(store.blob_path(image.key))) << image.key;
    }
    ASSERT_TRUE(store.recover());
    std::set<std::string> rows;
    auto relisted = store.list();
    ASSERT_TRUE(relisted);
    for (const auto& image : *relisted) rows.insert(image.key);
    for (const auto& blob : files_under(store.paths().blob_dir)) {
      EXPECT_TRUE(rows.contains(blob.filename().string())) << blob;
    }
    EXPECT_TRUE(files_under(store.paths().tmp).empty());
  }
}

TEST_F(StoreRecovery, ConcurrentImportsAllSucceed) {
  constexpr int k_processes = 8;
  auto shared = AciBuilder::simple("example.com/shared");
  shared.file("rootfs/blob", std::string(1 << 20, 's'));
  const fs::path shared_aci = write_aci(shared, Compression::gzip, "shared");
  std::vector<fs::path> own;
  for (int i = 0; i < k_processes; ++i) {
    auto b = AciBuilder::simple("example.com/own" + std::to_string(i));
    own.push_back(write_aci(b, Compression::zstd, "own" + std::to_string(i)));
  }
  // The store does not exist yet: the processes also race to create it.
  std::vector<pid_t> children;
  for (int i = 0; i < k_processes; ++i) {
    children.push_back(spawn([&, i] {
      auto store = ImageStore::open(data_dir());
      if (!store) {
        fprintf(stderr, "open: %s\n", store.error().message.c_str());
        return 1;
      }
      for (const fs::path& aci : {shared_aci, own[static_cast<size_t>(i)], shared_aci}) {
        auto r = store->import_aci(aci);
        if (!r) {
          fprintf(stderr, "import: %s\n", r.error().message.c_str());
          return 2;
        }
      }
      return 0;
    }));
  }
  for (pid_t child : children) EXPECT_EQ(wait_status(child), 0);

  auto store = open_store();
  auto images = store.list();
  ASSERT_TRUE(images);
  EXPECT_EQ(images->size(), size_t(k_processes + 1));
  EXPECT_EQ(files_under(store.paths().blob_dir).size(), size_t(k_processes + 1));
  for (const auto& image : *images) EXPECT_TRUE(util::is_regular(store.blob_path(image.key)));
  EXPECT_TRUE(files_under(store.paths().tmp).empty());
}

TEST_F(StoreRecovery, UnwritableStoreSaysWhy) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to another user";
  { auto store = open_store(); }
  fs::permissions(m_dir.path(), fs::perms(0755));
  pid_t child = spawn([&] {
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) return 3;
    auto store = ImageStore::open(data_dir());
    if (store) return 1;
    if (store.error().kind != ErrorKind::permission) return 2;
    if (store.error().message.find("are you in the rkt group?") == std::string::npos) return 4;
    return 0;
  });
  EXPECT_EQ(wait_status(child), 0);
}

}  // namespace
}  // namespace rkt::store::test
