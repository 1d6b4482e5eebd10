// SPDX-License-Identifier: LGPL-2.1-or-later
// Documentation coverage: every property of our elements has a blurb (what
// gst-inspect-1.0 shows) and an entry in docs/elements/<element>.md, which is
// kept by hand because Debian 12 has no doc-cache generator.
#include <fstream>
#include <sstream>
#include <string>

#include <gst/check/gstcheck.h>

static std::string read_doc(const char* element)
{
  std::ifstream f(std::string(DOCS_DIR) + "/" + element + ".md");
  fail_unless(f.good(), "no docs/elements/%s.md", element);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

static void check_element(const char* name)
{
  GstElement* e = gst_element_factory_make(name, nullptr);
  fail_unless(e != nullptr, "%s not found", name);
  GstElementClass* klass = GST_ELEMENT_GET_CLASS(e);
  for (const char* key : { GST_ELEMENT_METADATA_LONGNAME, GST_ELEMENT_METADATA_KLASS, GST_ELEMENT_METADATA_DESCRIPTION }) {
    const gchar* v = gst_element_class_get_metadata(klass, key);
    fail_unless(v && *v, "%s lacks %s", name, key);
  }
  const std::string doc = read_doc(name);
  guint n = 0;
  GParamSpec** props = g_object_class_list_properties(G_OBJECT_GET_CLASS(e), &n);
  guint own = 0;
  for (guint i = 0; i < n; i++) {
    if (props[i]->owner_type != G_OBJECT_TYPE(e))
      continue;  // name, parent, qos: documented by GStreamer
    own++;
    const gchar* blurb = g_param_spec_get_blurb(props[i]);
    fail_unless(blurb && strlen(blurb) > 10, "%s:%s has no useful blurb", name, props[i]->name);
    const std::string entry = std::string("| `") + props[i]->name + "` |";
    fail_unless(doc.find(entry) != std::string::npos, "docs/elements/%s.md does not document %s", name, props[i]->name);
  }
  fail_unless(own >= 6, "%s has only %u own properties", name, own);
  g_free(props);
  gst_object_unref(e);
}

GST_START_TEST(test_sframeenc_documented)
{
  check_element("sframeenc");
}
GST_END_TEST;

GST_START_TEST(test_sframedec_documented)
{
  check_element("sframedec");
}
GST_END_TEST;

static Suite* docs_suite()
{
  Suite* s = suite_create("docs");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_sframeenc_documented);
  tcase_add_test(tc, test_sframedec_documented);
  return s;
}

GST_CHECK_MAIN(docs);
