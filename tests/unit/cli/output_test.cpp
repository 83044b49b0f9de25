#include "cli/output.hpp"

#include <gtest/gtest.h>

#include <sstream>

using rkt::cli::Table;

TEST(Table, PadsColumnsWithTwoSpaces) {
  Table table({"UUID", "APP", "STATE"});
  table.add_row({"81627cc6", "caddy", "exited"});
  table.add_row({"cd642877", "alpine-sh", "running"});
  std::ostringstream out;
  table.print(out);
  EXPECT_EQ(out.str(),
            "UUID      APP        STATE\n"
            "81627cc6  caddy      exited\n"
            "cd642877  alpine-sh  running\n");
}

TEST(Table, NoLegendOmitsHeader) {
  Table table({"ID", "NAME"});
  table.add_row({"sha512-1", "a"});
  std::ostringstream out;
  table.print(out, false);
  EXPECT_EQ(out.str(), "sha512-1  a\n");
}

TEST(OutputFormat, ParsesKnownFormats) {
  EXPECT_EQ(*rkt::cli::parse_output_format(""), rkt::cli::OutputFormat::table);
  EXPECT_EQ(*rkt::cli::parse_output_format("json"), rkt::cli::OutputFormat::json);
  EXPECT_EQ(*rkt::cli::parse_output_format("json-pretty"), rkt::cli::OutputFormat::json_pretty);
  EXPECT_FALSE(rkt::cli::parse_output_format("yaml"));
}
