#include "stage1/app_plan.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {
namespace {

class AppPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(util::make_dirs(root() / "etc"));
    ASSERT_TRUE(util::make_dirs(root() / "bin"));
    ASSERT_TRUE(util::write_file_atomic(root() / "etc/passwd", "web:x:1000:1000::/:/bin/sh\n"));
    ASSERT_TRUE(util::write_file_atomic(root() / "etc/group", "web:x:1001:\n"));
    ASSERT_TRUE(util::write_file_atomic(root() / "bin/server", "", 0755));
    ASSERT_TRUE(util::write_file_atomic(root() / "bin/setup", "", 0755));
    m_app.name = "web";
    m_app.app = appc::App{};
    m_app.app->exec = {"server", "--port=80"};
    m_app.app->user = "web";
    m_app.app->group = "web";
    m_app.app->supplementary_gids = {5};
    m_app.app->event_handlers = {{"pre-start", {"setup", "x"}}, {"post-stop", {"/bin/done"}}};
  }
  const fs::path& root() const { return m_dir.path(); }
  util::TempDir m_dir = test::make_temp_dir();
  appc::RuntimeApp m_app;
};

TEST_F(AppPlanTest, ResolvesEverythingInTheRootfs) {
  auto plan = plan_app(m_app, root(), "/opt/stage2/web/rootfs", {"PATH=/bin"});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->name, "web");
  EXPECT_EQ(plan->root, "/opt/stage2/web/rootfs");
  EXPECT_EQ(plan->argv, (std::vector<std::string>{"server", "--port=80"}));
  EXPECT_EQ(plan->exec_path, "/bin/server");
  EXPECT_EQ(plan->working_directory, "/");
  EXPECT_EQ(plan->credentials, (sys::Credentials{1000, 1001, {5}}));
  ASSERT_TRUE(plan->pre_start);
  EXPECT_EQ(plan->pre_start->path, "/bin/setup");
  EXPECT_EQ(plan->pre_start->argv, (std::vector<std::string>{"setup", "x"}));
  ASSERT_TRUE(plan->post_stop);
  EXPECT_EQ(plan->post_stop->path, "/bin/done");
}

TEST_F(AppPlanTest, UnknownUserNamesTheAppAndTheFile) {
  m_app.app->user = "foo";
  auto plan = plan_app(m_app, root(), "/r", {});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message,
            "app \"web\": user \"foo\" not found in " + (root() / "etc/passwd").string());
}

TEST_F(AppPlanTest, AppWithoutExecIsAnError) {
  m_app.app->exec.clear();
  EXPECT_FALSE(plan_app(m_app, root(), "/r", {}));
}

}  // namespace
}  // namespace rkt::stage1
