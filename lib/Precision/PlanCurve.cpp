//===- PlanCurve.cpp - the size/error plot of the plans considered --------===//
//
// A small hand-written SVG (no plotting dependency): axes with round ticks,
// the search's estimated path, the measured plans as points with labels
// placed where they do not cover each other, the target, and a legend in
// its own column so nothing is drawn over the data.
//
//===----------------------------------------------------------------------===//
#include "nibble/Precision/PlanCurve.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace llvm;
using namespace nibble::precision;

namespace {

constexpr double kWidth = 860, kHeight = 470;
constexpr double kLeft = 76, kRight = 600, kTop = 62, kBottom = 392;
constexpr double kLegendX = 624;
/// Equal outputs measure kExactSQNRDB; drawn at this height instead.
constexpr double kSQNRCeiling = 100;
/// Approximate glyph width of the 11 px sans-serif labels.
constexpr double kCharWidth = 6.3, kLineHeight = 12;

std::string escape(StringRef text) {
  std::string result;
  for (char c : text) {
    switch (c) {
    case '&':
      result += "&amp;";
      break;
    case '<':
      result += "&lt;";
      break;
    case '>':
      result += "&gt;";
      break;
    case '"':
      result += "&quot;";
      break;
    case '\'':
      result += "&apos;";
      break;
    default:
      result += c;
    }
  }
  return result;
}

/// Round ticks (1, 2 or 5 times a power of ten apart) covering [lo, hi].
struct Axis {
  double lo, hi, step;

  static Axis cover(double lo, double hi, bool fromZero) {
    if (fromZero)
      lo = 0;
    if (!(hi > lo))
      hi = lo + 1;
    double raw = (hi - lo) / 5;
    double power = std::pow(10.0, std::floor(std::log10(raw)));
    double step = power;
    for (double factor : {1.0, 2.0, 5.0, 10.0})
      if (factor * power >= raw) {
        step = factor * power;
        break;
      }
    return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step};
  }

  int decimals() const {
    return std::max(0, -int(std::floor(std::log10(step) + 1e-9)));
  }
  double map(double value, double from, double to) const {
    return from + (to - from) * (value - lo) / (hi - lo);
  }
};

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box &other) const {
    return x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1;
  }
};

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

double clampSQNR(double db) { return std::min(db, kSQNRCeiling); }

bool isUniform(const ConsideredPlan &plan) {
  return StringRef(plan.label).starts_with("uniform");
}

} // namespace

void nibble::precision::writePlanCurveSVG(raw_ostream &os,
                                          ArrayRef<ConsideredPlan> plans,
                                          const ConsideredPlan *chosen,
                                          const AssignmentTarget &target,
                                          StringRef title) {
  // What is drawn: the search's path (estimates) and the measured points.
  SmallVector<std::pair<double, double>> path;
  SmallVector<const ConsideredPlan *> measured;
  for (const ConsideredPlan &plan : plans) {
    if (!isUniform(plan))
      path.push_back(
          {double(plan.estimatedBytes), clampSQNR(plan.estimated.sqnrDB)});
    if (plan.measured)
      measured.push_back(&plan);
  }
  double maxBytes = 0, minDB = 1e300, maxDB = -1e300;
  auto include = [&](double bytes, double db) {
    maxBytes = std::max(maxBytes, bytes);
    minDB = std::min(minDB, db);
    maxDB = std::max(maxDB, db);
  };
  for (auto [bytes, db] : path)
    include(bytes, db);
  for (const ConsideredPlan *plan : measured)
    include(double(*plan->measuredBytes), clampSQNR(plan->measured->sqnrDB));
  using Kind = AssignmentTarget::Kind;
  if (target.kind == Kind::SQNR)
    include(0, std::min(target.value, kSQNRCeiling));
  if (target.kind == Kind::SizeBytes)
    maxBytes = std::max(maxBytes, target.value);
  if (minDB > maxDB)
    minDB = maxDB = 0;

  // Bytes shown in the unit that keeps the tick labels short.
  double unit = 1;
  StringRef unitName = "bytes";
  if (maxBytes >= 2 * 1024 * 1024) {
    unit = 1024 * 1024;
    unitName = "MiB";
  } else if (maxBytes >= 2 * 1024) {
    unit = 1024;
    unitName = "KiB";
  }
  Axis xAxis = Axis::cover(0, maxBytes / unit * 1.05, /*fromZero=*/true);
  Axis yAxis = Axis::cover(minDB - 1, maxDB + 1, /*fromZero=*/false);
  auto x = [&](double bytes) { return xAxis.map(bytes / unit, kLeft, kRight); };
  auto y = [&](double db) { return yAxis.map(db, kBottom, kTop); };

  os << formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                "height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                "font-family=\"sans-serif\" font-size=\"11\">\n",
                kWidth, kHeight);
  os << formatv("<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n", kWidth,
                kHeight);
  os << formatv("<text x=\"{0}\" y=\"22\" font-size=\"14\">{1}</text>\n", kLeft,
                escape(title));
  os << formatv("<text x=\"{0}\" y=\"40\" fill=\"#555\">target: {1}</text>\n",
                kLeft, escape(target.describe()));

  // Grid, ticks, axes.
  for (double v = xAxis.lo; v <= xAxis.hi + xAxis.step / 2; v += xAxis.step) {
    double px = xAxis.map(v, kLeft, kRight);
    os << formatv("<line x1=\"{0:F1}\" y1=\"{1}\" x2=\"{0:F1}\" y2=\"{2}\" "
                  "stroke=\"#eee\"/>\n",
                  px, kTop, kBottom);
    os << formatv("<text x=\"{0:F1}\" y=\"{1}\" text-anchor=\"middle\">{2}"
                  "</text>\n",
                  px, kBottom + 16, fixed(v, xAxis.decimals()));
  }
  for (double v = yAxis.lo; v <= yAxis.hi + yAxis.step / 2; v += yAxis.step) {
    double py = yAxis.map(v, kBottom, kTop);
    os << formatv("<line x1=\"{0}\" y1=\"{1:F1}\" x2=\"{2}\" y2=\"{1:F1}\" "
                  "stroke=\"#eee\"/>\n",
                  kLeft, py, kRight);
    os << formatv("<text x=\"{0}\" y=\"{1:F1}\" text-anchor=\"end\">{2}"
                  "</text>\n",
                  kLeft - 6, py + 4, fixed(v, yAxis.decimals()));
  }
  os << formatv("<polyline points=\"{0},{1} {0},{2} {3},{2}\" fill=\"none\" "
                "stroke=\"black\"/>\n",
                kLeft, kTop, kBottom, kRight);
  os << formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">parameter "
                "{2}</text>\n",
                (kLeft + kRight) / 2, kBottom + 36, unitName);
  os << formatv("<text x=\"18\" y=\"{0}\" transform=\"rotate(-90 18 {0})\" "
                "text-anchor=\"middle\">output SQNR vs fp32 (dB)</text>\n",
                (kTop + kBottom) / 2);

  // The target where it is a line on these axes.
  const char *targetStyle = "stroke=\"#ff7f0e\" stroke-dasharray=\"6 4\"";
  if (target.kind == Kind::SQNR && target.value <= kSQNRCeiling) {
    double py = y(target.value);
    os << formatv("<line x1=\"{0}\" y1=\"{1:F1}\" x2=\"{2}\" y2=\"{1:F1}\" "
                  "{3}/>\n",
                  kLeft, py, kRight, targetStyle);
  } else if (target.kind == Kind::SizeBytes) {
    double px = x(target.value);
    os << formatv("<line x1=\"{0:F1}\" y1=\"{1}\" x2=\"{0:F1}\" y2=\"{2}\" "
                  "{3}/>\n",
                  px, kTop, kBottom, targetStyle);
  }

  // The search's path on its estimates.
  if (!path.empty()) {
    std::string points;
    for (auto [bytes, db] : path)
      points += formatv("{0:F1},{1:F1} ", x(bytes), y(db)).str();
    os << formatv("<polyline points=\"{0}\" fill=\"none\" stroke=\"#999\" "
                  "stroke-dasharray=\"3 3\"/>\n",
                  StringRef(points).rtrim());
    for (auto [bytes, db] : path)
      os << formatv("<circle cx=\"{0:F1}\" cy=\"{1:F1}\" r=\"2.5\" "
                    "fill=\"white\" stroke=\"#999\"/>\n",
                    x(bytes), y(db));
  }

  // Measured points, then their labels where they cover neither another
  // label nor a point (first of: right above, right below, left above,
  // left below, further down; the last resort overlaps).
  SmallVector<Box> taken;
  for (const ConsideredPlan *plan : measured) {
    double px = x(*plan->measuredBytes),
           py = y(clampSQNR(plan->measured->sqnrDB));
    taken.push_back({px - 6, py - 6, px + 6, py + 6});
  }
  auto colorOf = [&](const ConsideredPlan *plan) -> StringRef {
    if (plan == chosen)
      return "#d62728";
    return isUniform(*plan) ? "#1f77b4" : "#555555";
  };
  // The chosen plan last, so it is drawn on top.
  SmallVector<const ConsideredPlan *> order(measured);
  std::stable_partition(order.begin(), order.end(),
                        [&](const ConsideredPlan *p) { return p != chosen; });
  for (const ConsideredPlan *plan : order) {
    double px = x(*plan->measuredBytes),
           py = y(clampSQNR(plan->measured->sqnrDB));
    os << formatv("<circle cx=\"{0:F1}\" cy=\"{1:F1}\" r=\"{2}\" fill=\"{3}\"/>"
                  "\n",
                  px, py, plan == chosen ? 6 : 4, colorOf(plan));
  }
  for (const ConsideredPlan *plan : measured) {
    double px = x(*plan->measuredBytes),
           py = y(clampSQNR(plan->measured->sqnrDB));
    std::string text =
        plan == chosen ? "chosen (" + plan->label + ")" : plan->label;
    text += formatv(": {0:F1} dB", plan->measured->sqnrDB).str();
    double width = text.size() * kCharWidth;
    struct Place {
      double dx, dy;
      bool end;
    };
    const Place places[] = {{8, -6, false},  {8, 14, false}, {-8, -6, true},
                            {-8, 14, true},  {8, 26, false}, {-8, 26, true},
                            {8, -18, false}, {-8, -18, true}};
    Box box{};
    double tx = 0, ty = 0;
    bool end = false;
    for (const Place &place : places) {
      tx = px + place.dx;
      ty = py + place.dy;
      end = place.end;
      double x0 = end ? tx - width : tx;
      box = {x0, ty - kLineHeight + 2, x0 + width, ty + 2};
      bool inside = box.x0 >= kLeft && box.x1 <= kLegendX - 8 &&
                    box.y0 >= kTop - 14 && box.y1 <= kBottom;
      if (inside && llvm::none_of(taken, [&](const Box &other) {
            return box.overlaps(other);
          }))
        break;
    }
    taken.push_back(box);
    os << formatv(
        "<text x=\"{0:F1}\" y=\"{1:F1}\" fill=\"{2}\"{3}>{4}</text>\n", tx, ty,
        colorOf(plan), end ? " text-anchor=\"end\"" : "", escape(text));
  }

  // Legend.
  double ly = kTop + 4;
  auto legendDot = [&](StringRef color, double r, StringRef text) {
    os << formatv("<circle cx=\"{0}\" cy=\"{1}\" r=\"{2}\" fill=\"{3}\"/>\n"
                  "<text x=\"{4}\" y=\"{5}\">{6}</text>\n",
                  kLegendX + 6, ly, r, color, kLegendX + 18, ly + 4,
                  escape(text));
    ly += 20;
  };
  legendDot("#d62728", 6, "chosen plan (measured)");
  legendDot("#1f77b4", 4, "one precision everywhere");
  legendDot("#555555", 4, "other checked plans");
  os << formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                "stroke=\"#999\" stroke-dasharray=\"3 3\"/>\n"
                "<circle cx=\"{3}\" cy=\"{1}\" r=\"2.5\" fill=\"white\" "
                "stroke=\"#999\"/>\n<text x=\"{4}\" y=\"{5}\">search steps "
                "(estimated)</text>\n",
                kLegendX - 2, ly, kLegendX + 14, kLegendX + 6, kLegendX + 18,
                ly + 4);
  ly += 20;
  if (target.kind == Kind::SQNR || target.kind == Kind::SizeBytes) {
    os << formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" {3}/>\n"
                  "<text x=\"{4}\" y=\"{5}\">{6}</text>\n",
                  kLegendX - 2, ly, kLegendX + 14, targetStyle, kLegendX + 18,
                  ly + 4, target.kind == Kind::SQNR ? "target" : "size budget");
    ly += 20;
  }
  os << "</svg>\n";
}
