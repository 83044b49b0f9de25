#include <gtest/gtest.h>

#include <map>

#include "store/tree_store.hpp"
#include "util/digest.hpp"

namespace rkt::store {
namespace {

/// Images by name with their dependencies, resolved by name as the image store would.
class FlattenDependencies : public ::testing::Test {
 protected:
  RenderImage& add(const std::string& name, std::vector<std::string> deps,
                   std::vector<std::string> whitelist = {}) {
    RenderImage image;
    image.key = "sha512-" + util::sha512_hex(name).substr(0, 64);
    image.blob = "/nonexistent/" + name;
    image.manifest.name = name;
    image.manifest.path_whitelist = std::move(whitelist);
    for (auto& dep : deps) image.manifest.dependencies.push_back({dep, "", {}, 0});
    return m_images[name] = image;
  }
  DependencyResolver resolver() {
    return [this](const appc::Dependency& dep) -> Result<RenderImage> {
      auto it = m_images.find(dep.image_name);
      if (it == m_images.end()) {
        return Error::make(ErrorKind::not_found, "no image {}", dep.image_name);
      }
      return it->second;
    };
  }
  static std::vector<std::string> names(const std::vector<RenderImage>& images) {
    std::vector<std::string> out;
    for (const auto& image : images) out.push_back(image.manifest.name);
    return out;
  }
  std::map<std::string, RenderImage> m_images;
};

TEST_F(FlattenDependencies, DependenciesDepthFirstInListedOrderThenTheImage) {
  add("B", {});
  add("D", {});
  add("C", {"D"});
  RenderImage a = add("A", {"B", "C"});
  auto flat = flatten_dependencies(a, resolver());
  ASSERT_TRUE(flat) << flat.error().message;
  EXPECT_EQ(names(*flat), (std::vector<std::string>{"B", "D", "C", "A"}));
}

TEST_F(FlattenDependencies, ImageWithoutDependenciesIsAlone) {
  RenderImage a = add("A", {});
  auto flat = flatten_dependencies(a, resolver());
  ASSERT_TRUE(flat);
  EXPECT_EQ(names(*flat), (std::vector<std::string>{"A"}));
}

TEST_F(FlattenDependencies, CycleIsAnError) {
  add("B", {"C"});
  add("C", {"A"});
  RenderImage a = add("A", {"B"});
  auto flat = flatten_dependencies(a, resolver());
  ASSERT_FALSE(flat);
  EXPECT_EQ(flat.error().kind, ErrorKind::invalid_argument);
  EXPECT_NE(flat.error().message.find("A -> B -> C -> A"), std::string::npos)
      << flat.error().message;
}

TEST_F(FlattenDependencies, ResolverErrorNamesTheDependency) {
  RenderImage a = add("A", {"missing"});
  auto flat = flatten_dependencies(a, resolver());
  ASSERT_FALSE(flat);
  EXPECT_EQ(flat.error().kind, ErrorKind::not_found);
  EXPECT_NE(flat.error().message.find("dependency missing of A"), std::string::npos);
}

TEST_F(FlattenDependencies, CollectsTheWhitelistsOfDependants) {
  add("D", {});
  add("C", {"D"}, {"/c"});
  RenderImage a = add("A", {"C"}, {"/a"});
  auto flat = flatten_dependencies(a, resolver());
  ASSERT_TRUE(flat);
  ASSERT_EQ(flat->size(), 3u);
  using Lists = std::vector<std::vector<std::string>>;
  EXPECT_EQ((*flat)[0].dependant_whitelists, (Lists{{"/a"}, {"/c"}}));  // D
  EXPECT_EQ((*flat)[1].dependant_whitelists, (Lists{{"/a"}}));          // C
  EXPECT_TRUE((*flat)[2].dependant_whitelists.empty());                 // A
}

TEST(TreeId, HashOfCommaJoinedKeysInFlattenedOrder) {
  std::vector<RenderImage> flat(2);
  flat[0].key = "sha512-" + std::string(64, 'b');
  flat[1].key = "sha512-" + std::string(64, 'a');
  std::string expected =
      "deps-sha512-" + util::sha512_hex(flat[0].key + "," + flat[1].key).substr(0, 64);
  EXPECT_EQ(tree_id(flat), expected);
  EXPECT_EQ(tree_id(flat).size(), 5u + 71u);
  std::swap(flat[0], flat[1]);
  EXPECT_NE(tree_id(flat), expected);
}

}  // namespace
}  // namespace rkt::store
