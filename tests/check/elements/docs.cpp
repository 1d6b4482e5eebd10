// SPDX-License-Identifier: LGPL-2.1-or-later
// Documentation coverage: every property of our elements has a blurb (what
// gst-inspect-1.0 shows) and an entry in docs/elements/<element>.md, which is
// kept by hand because Debian 12 has no doc-cache generator. The entries'
// flags and defaults, the stats fields and the element class must match the
// element too, or the hand-kept page silently drifts from the code.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gst/check/gstcheck.h>

#include "fatal-log-domains.h"

static std::string read_doc(const char* element)
{
  std::ifstream f(std::string(DOCS_DIR) + "/" + element + ".md");
  fail_unless(f.good(), "no docs/elements/%s.md", element);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

static std::string trim(const std::string& s)
{
  const size_t b = s.find_first_not_of(" \t");
  const size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

static std::string strip_backticks(const std::string& s)
{
  std::string out;
  for (char c : s)
    if (c != '`')
      out += c;
  return out;
}

// Rows "| `name` | ... |" of the table under `## <section>`, by name: the
// cells after the name, trimmed.
static std::map<std::string, std::vector<std::string>> table_rows(const std::string& doc, const std::string& section)
{
  std::map<std::string, std::vector<std::string>> rows;
  const size_t start = doc.find("\n## " + section);
  fail_unless(start != std::string::npos, "no '## %s' section", section.c_str());
  std::istringstream in(doc.substr(start + 1));
  std::string line;
  std::getline(in, line); // the heading
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0)
      break;
    if (line.rfind("| `", 0) != 0)
      continue;
    std::vector<std::string> cells;
    std::istringstream cs(line.substr(1));
    std::string cell;
    while (std::getline(cs, cell, '|'))
      cells.push_back(trim(cell));
    const std::string name = strip_backticks(cells.front());
    cells.erase(cells.begin());
    fail_if(rows.count(name), "%s listed twice in %s", name.c_str(), section.c_str());
    rows[name] = cells;
  }
  return rows;
}

// The flags column: read/write, write-only or read-only.
static const char* flags_word(const GParamSpec* p)
{
  const bool r = p->flags & G_PARAM_READABLE, w = p->flags & G_PARAM_WRITABLE;
  return r && w ? "read/write" : w ? "write-only" : "read-only";
}

// The default column as the docs write it: enum nick, number, string, or
// "none" for objects, strings and structures without a default.
static std::string default_word(GParamSpec* p)
{
  GValue v = G_VALUE_INIT;
  g_value_init(&v, p->value_type);
  g_param_value_set_default(p, &v);
  std::string out;
  if (G_IS_PARAM_SPEC_ENUM(p)) {
    GEnumValue* ev = g_enum_get_value(G_PARAM_SPEC_ENUM(p)->enum_class, g_value_get_enum(&v));
    out = ev ? ev->value_nick : "?";
  } else if (G_IS_PARAM_SPEC_UINT(p) || G_IS_PARAM_SPEC_UINT64(p) || G_IS_PARAM_SPEC_INT(p) ||
             G_IS_PARAM_SPEC_BOOLEAN(p)) {
    gchar* s = g_strdup_value_contents(&v);
    out = s;
    g_free(s);
  } else if (G_IS_PARAM_SPEC_STRING(p) && g_value_get_string(&v)) {
    out = g_value_get_string(&v);
  } else {
    out = "none";
  }
  g_value_unset(&v);
  return out;
}

static void check_element(const char* name, guint min_properties)
{
  GstElement* e = gst_element_factory_make(name, nullptr);
  fail_unless(e != nullptr, "%s not found", name);
  GstElementClass* klass = GST_ELEMENT_GET_CLASS(e);
  for (const char* key :
       { GST_ELEMENT_METADATA_LONGNAME, GST_ELEMENT_METADATA_KLASS, GST_ELEMENT_METADATA_DESCRIPTION }) {
    const gchar* v = gst_element_class_get_metadata(klass, key);
    fail_unless(v && *v, "%s lacks %s", name, key);
  }
  const std::string doc = read_doc(name);
  auto props_table = table_rows(doc, "Properties");
  guint n = 0;
  GParamSpec** props = g_object_class_list_properties(G_OBJECT_GET_CLASS(e), &n);
  std::set<std::string> own;
  for (guint i = 0; i < n; i++) {
    GParamSpec* p = props[i];
    if (p->owner_type != G_OBJECT_TYPE(e))
      continue; // name, parent (GstObject), qos (GstBaseTransform): documented by GStreamer
    own.insert(p->name);
    const gchar* blurb = g_param_spec_get_blurb(p);
    fail_unless(blurb && strlen(blurb) > 10, "%s:%s has no useful blurb", name, p->name);
    const std::string entry = std::string("| `") + p->name + "` |";
    fail_unless(doc.find(entry) != std::string::npos, "docs/elements/%s.md does not document %s", name, p->name);
    const auto& cells = props_table[p->name];
    fail_unless(cells.size() >= 4, "%s: row of %s lacks type, flags, default or meaning", name, p->name);
    fail_unless(
      cells[1] == flags_word(p), "%s:%s is %s, documented as %s", name, p->name, flags_word(p), cells[1].c_str());
    const std::string def = strip_backticks(cells[2]);
    if (def.empty()) {
      fail_if(p->flags & G_PARAM_WRITABLE, "%s:%s has no documented default", name, p->name);
    } else {
      fail_unless(def == default_word(p),
                  "%s:%s defaults to %s, documented as %s",
                  name,
                  p->name,
                  default_word(p).c_str(),
                  def.c_str());
    }
    // A documented range "(min-max)" is the pspec's.
    const size_t paren = cells[0].find('(');
    if (G_IS_PARAM_SPEC_UINT(p) && paren != std::string::npos &&
        isdigit(static_cast<unsigned char>(cells[0][paren + 1]))) {
      gchar* range = g_strdup_printf("(%u-%u)", G_PARAM_SPEC_UINT(p)->minimum, G_PARAM_SPEC_UINT(p)->maximum);
      fail_unless(cells[0].find(range) != std::string::npos,
                  "%s:%s range is %s, documented as %s",
                  name,
                  p->name,
                  range,
                  cells[0].c_str());
      g_free(range);
    }
  }
  for (const auto& row : props_table)
    fail_unless(
      own.count(row.first), "docs/elements/%s.md documents a property %s the element lacks", name, row.first.c_str());
  fail_unless(own.size() >= min_properties, "%s has only %zu own properties", name, own.size());
  g_free(props);
  gst_object_unref(e);
}

// The stats table lists exactly the fields of the stats structure, with
// their types.
[[maybe_unused]] static void check_stats(const char* name)
{
  GstElement* e = gst_element_factory_make(name, nullptr);
  GstStructure* s = nullptr;
  g_object_get(e, "stats", &s, nullptr);
  fail_unless(s != nullptr);
  const std::string doc = read_doc(name);
  const std::string heading = std::string("`") + gst_structure_get_name(s) + "`";
  fail_unless(doc.find(heading) != std::string::npos, "docs/elements/%s.md does not name %s", name, heading.c_str());
  auto rows = table_rows(doc, "Stats");
  for (int i = 0; i < gst_structure_n_fields(s); i++) {
    const gchar* field = gst_structure_nth_field_name(s, i);
    fail_unless(rows.count(field), "docs/elements/%s.md lacks stats field %s", name, field);
    const GType t = gst_structure_get_field_type(s, field);
    const std::string& doc_type = rows[field][0];
    if (t == G_TYPE_UINT64)
      fail_unless(doc_type == "guint64", "%s stats %s is guint64, documented as %s", name, field, doc_type.c_str());
    else if (t == G_TYPE_STRING)
      fail_unless(doc_type == "string", "%s stats %s is a string, documented as %s", name, field, doc_type.c_str());
    else if (t == G_TYPE_BOOLEAN)
      fail_unless(doc_type == "gboolean", "%s stats %s is gboolean, documented as %s", name, field, doc_type.c_str());
    else if (t == GST_TYPE_ARRAY)
      fail_unless(doc_type.find("GstValueArray") != std::string::npos, "%s stats %s is an array", name, field);
    else
      fail("%s stats %s has an undocumented type %s", name, field, g_type_name(t));
  }
  for (const auto& row : rows)
    fail_unless(
      gst_structure_has_field(s, row.first.c_str()), "%s stats lack the documented field %s", name, row.first.c_str());
  gst_structure_free(s);
  gst_object_unref(e);
}

// Every signal has an entry: action signals in one table, the others in
// another, and neither lists a signal the element lacks.
[[maybe_unused]] static void check_signals(GstElement* e, const char* name)
{
  const std::string doc = read_doc(name);
  guint n = 0;
  guint* ids = g_signal_list_ids(G_OBJECT_TYPE(e), &n);
  auto action_rows = table_rows(doc, "Action signals");
  auto signal_rows = table_rows(doc, "Signals");
  guint actions = 0;
  for (guint i = 0; i < n; i++) {
    GSignalQuery q;
    g_signal_query(ids[i], &q);
    const bool action = q.signal_flags & G_SIGNAL_ACTION;
    actions += action ? 1 : 0;
    fail_unless((action ? action_rows : signal_rows).count(q.signal_name), "docs/elements/%s.md lacks %s %s", name,
                action ? "action signal" : "signal", q.signal_name);
  }
  fail_unless_equals_int(action_rows.size(), actions);
  fail_unless_equals_int(signal_rows.size(), n - actions);
  g_free(ids);
}

// "Class `X`" in the page is the element's klass metadata.
static void check_class(const char* name)
{
  GstElement* e = gst_element_factory_make(name, nullptr);
  const gchar* klass = gst_element_class_get_metadata(GST_ELEMENT_GET_CLASS(e), GST_ELEMENT_METADATA_KLASS);
  const std::string doc = read_doc(name);
  const size_t at = doc.find("Class `");
  fail_unless(at != std::string::npos, "docs/elements/%s.md names no class", name);
  const size_t begin = at + strlen("Class `");
  const std::string documented = doc.substr(begin, doc.find('`', begin) - begin);
  fail_unless(documented == klass, "%s: class is %s, documented as %s", name, klass, documented.c_str());
  gst_object_unref(e);
}

#if HAVE_SFRAME
GST_START_TEST(test_sframeenc_documented)
{
  check_element("sframeenc", 6);
  check_stats("sframeenc");
}
GST_END_TEST;

GST_START_TEST(test_sframedec_documented)
{
  check_element("sframedec", 6);
  check_stats("sframedec");
}
GST_END_TEST;

GST_START_TEST(test_rtpsframepay_documented)
{
  check_element("rtpsframepay", 0);
  check_element("rtpsframedepay", 2);
  check_stats("rtpsframedepay");
}
GST_END_TEST;
#endif

#if HAVE_SFU
// sfuforward's stats nest one structure per participant: the page documents
// each field of it, of its "drops" and of each "streams" entry.
static void check_nested_stats(const std::string& doc, const GstStructure* s, const char* section)
{
  auto rows = table_rows(doc, section);
  for (int i = 0; i < gst_structure_n_fields(s); i++) {
    const gchar* field = gst_structure_nth_field_name(s, i);
    fail_unless(rows.count(field), "docs/elements/sfuforward.md lacks %s field %s", section, field);
  }
  for (const auto& row : rows)
    fail_unless(gst_structure_has_field(s, row.first.c_str()), "sfuforward %s lack the documented field %s", section,
                row.first.c_str());
}

GST_START_TEST(test_sfuforward_documented)
{
  check_element("sfuforward", 5);
  // A participant with one stream, so every level of the stats exists.
  GstElement* e = gst_element_factory_make("sfuforward", nullptr);
  GstPad* sink = gst_element_request_pad_simple(e, "sink_0");
  fail_unless_equals_int(gst_element_set_state(e, GST_STATE_PLAYING), GST_STATE_CHANGE_SUCCESS);
  const guint8 packet[] = { 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2, 3, 4 };
  GstPad* feeder = gst_pad_new("feeder", GST_PAD_SRC);
  gst_pad_set_active(feeder, TRUE);
  fail_unless_equals_int(gst_pad_link(feeder, sink), GST_PAD_LINK_OK);
  gst_pad_push_event(feeder, gst_event_new_stream_start("docs"));
  GstCaps* caps = gst_caps_from_string("application/x-rtp");
  gst_pad_push_event(feeder, gst_event_new_caps(caps));
  gst_caps_unref(caps);
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  gst_pad_push_event(feeder, gst_event_new_segment(&seg));
  fail_unless_equals_int(gst_pad_push(feeder, gst_buffer_new_memdup(packet, sizeof packet)), GST_FLOW_OK);

  GstStructure* stats = nullptr;
  g_object_get(e, "stats", &stats, nullptr);
  const std::string doc = read_doc("sfuforward");
  fail_unless(doc.find(std::string("`") + gst_structure_get_name(stats) + "`") != std::string::npos);
  GstStructure *p = nullptr, *drops = nullptr, *streams = nullptr, *one = nullptr;
  fail_unless(gst_structure_get(stats, "0", GST_TYPE_STRUCTURE, &p, nullptr));
  check_nested_stats(doc, p, "Stats");
  fail_unless(gst_structure_get(p, "drops", GST_TYPE_STRUCTURE, &drops, "streams", GST_TYPE_STRUCTURE, &streams,
                                nullptr));
  check_nested_stats(doc, drops, "Drop reasons");
  fail_unless(gst_structure_get(streams, "ssrc-0000002a", GST_TYPE_STRUCTURE, &one, nullptr));
  check_nested_stats(doc, one, "Stream stats");
  gst_structure_free(one);
  gst_structure_free(streams);
  gst_structure_free(drops);
  gst_structure_free(p);
  gst_structure_free(stats);

  check_signals(e, "sfuforward");
  gst_pad_unlink(feeder, sink);
  gst_object_unref(feeder);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_element_release_request_pad(e, sink);
  gst_object_unref(sink);
  gst_object_unref(e);
}
GST_END_TEST;
#endif

#if HAVE_TRANSPORT
GST_START_TEST(test_srtpanydec_documented)
{
  check_element("srtpanydec", 3);
  check_stats("srtpanydec");
}
GST_END_TEST;

GST_START_TEST(test_peertransport_documented)
{
  check_element("peertransport", 9);
  check_stats("peertransport");
  GstElement* e = gst_element_factory_make("peertransport", nullptr);
  check_signals(e, "peertransport");
  gst_object_unref(e);
}
GST_END_TEST;
#endif

#if HAVE_MLS_PLUGIN
GST_START_TEST(test_mlskeyer_documented)
{
  check_element("mlskeyer", 14);
  check_stats("mlskeyer");
  GstElement* e = gst_element_factory_make("mlskeyer", nullptr);
  check_signals(e, "mlskeyer");
  gst_object_unref(e);
}
GST_END_TEST;
#endif

#if HAVE_ROOM_PLUGIN
GST_START_TEST(test_room_elements_documented)
{
  check_element("roomsink", 7);
  check_element("roomsrc", 7);
  check_element("roomrecorder", 9);
}
GST_END_TEST;
#endif

GST_START_TEST(test_element_class_documented)
{
#if HAVE_SFRAME
  check_class("sframeenc");
  check_class("sframedec");
  check_class("rtpsframepay");
  check_class("rtpsframedepay");
#endif
#if HAVE_SFU
  check_class("sfuforward");
  check_class("rtphdrextframemarking");
#endif
#if HAVE_TRANSPORT
  check_class("srtpanydec");
  check_class("peertransport");
#endif
#if HAVE_MLS_PLUGIN
  check_class("mlskeyer");
#endif
#if HAVE_ROOM_PLUGIN
  check_class("roomsink");
  check_class("roomsrc");
  check_class("roomrecorder");
#endif
}
GST_END_TEST;

static Suite* docs_suite()
{
  Suite* s = suite_create("docs");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
#if HAVE_SFRAME
  tcase_add_test(tc, test_sframeenc_documented);
  tcase_add_test(tc, test_sframedec_documented);
  tcase_add_test(tc, test_rtpsframepay_documented);
#endif
#if HAVE_SFU
  tcase_add_test(tc, test_sfuforward_documented);
#endif
#if HAVE_TRANSPORT
  tcase_add_test(tc, test_srtpanydec_documented);
  tcase_add_test(tc, test_peertransport_documented);
#endif
#if HAVE_MLS_PLUGIN
  tcase_add_test(tc, test_mlskeyer_documented);
#endif
#if HAVE_ROOM_PLUGIN
  tcase_add_test(tc, test_room_elements_documented);
#endif
  tcase_add_test(tc, test_element_class_documented);
  return s;
}

GST_CHECK_MAIN(docs);
