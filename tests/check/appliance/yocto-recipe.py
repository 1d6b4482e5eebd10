#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keeps the Yocto recipe (examples/yocto/meta-gst-e2ee) in step with the meson
build, since bitbake cannot run here to notice a drift:
  - the variables a meson-based recipe needs are set;
  - PACKAGECONFIG has exactly one entry per plugin feature option of
    meson_options.txt, mapping to -D<option>=enabled / -D<option>=disabled,
    and each plugin ships in its own package holding libgst<plugin>.so;
  - every pkg-config dependency of any meson.build is covered by DEPENDS;
  - the layer declares the LTS series it is written for.
Usage: yocto-recipe.py SOURCE_DIR [--self-check]. Prints each mismatch; exits 1
if any. --self-check instead feeds the check a drifted build (an extra plugin
option, a dependency no recipe provides) and exits 1 unless both are caught."""
import pathlib
import re
import sys

NON_PLUGIN_FEATURES = {"tests", "examples", "benchmarks"}
# pkg-config module -> the openembedded-core recipe providing it.
PKGCONFIG_RECIPES = {
    "glib-2.0": "glib-2.0", "gobject-2.0": "glib-2.0", "gio-2.0": "glib-2.0",
    "gstreamer-1.0": "gstreamer1.0", "gstreamer-base-1.0": "gstreamer1.0",
    "gstreamer-net-1.0": "gstreamer1.0", "gstreamer-check-1.0": "gstreamer1.0",
    "gstreamer-video-1.0": "gstreamer1.0-plugins-base", "gstreamer-audio-1.0": "gstreamer1.0-plugins-base",
    "gstreamer-rtp-1.0": "gstreamer1.0-plugins-base", "gstreamer-sdp-1.0": "gstreamer1.0-plugins-base",
    "gstreamer-app-1.0": "gstreamer1.0-plugins-base", "gstreamer-webrtc-1.0": "gstreamer1.0-plugins-bad",
    "openssl": "openssl", "libssl": "openssl", "libcrypto": "openssl",
    "libsrtp2": "libsrtp", "nice": "libnice", "check": "check",
}
# Dependencies only the tests link, covered by the ptest DEPENDS line.
TEST_ONLY = {"check", "gstreamer-check-1.0"}


def feature_options(src, extra_options_text=""):
    text = (src / "meson_options.txt").read_text() + extra_options_text
    names = re.findall(r"option\(\s*'([^']+)'\s*,\s*type\s*:\s*'feature'", text)
    return [n for n in names if n not in NON_PLUGIN_FEATURES]


def recipe_vars(text):
    """Joins continued lines and returns {name: [values...]} for every assignment."""
    text = re.sub(r"\\\n", " ", text)
    out = {}
    for line in text.splitlines():
        m = re.match(r'^([A-Za-z0-9_:${}\[\]\-.]+)\s*(\?\?=|\?=|\+=|=\+|\.=|=)\s*"(.*)"\s*$', line.strip())
        if m:
            out.setdefault(m.group(1), []).append(m.group(3))
    return out


def pkgconfig_deps(src):
    deps = set()
    for f in src.rglob("meson.build"):
        if any(part.startswith("build") for part in f.relative_to(src).parts):
            continue
        for m in re.finditer(r"(?<![\w])dependency\(\s*'([^']+)'", f.read_text()):
            deps.add(m.group(1))
    return deps


def check(src, extra_options_text="", extra_deps=()):
    """Returns (plugins, recipe path, list of mismatches)."""
    layer = src / "examples" / "yocto" / "meta-gst-e2ee"
    recipes = sorted(layer.glob("recipes-*/*/*.bb"))
    errors = []
    if len(recipes) != 1:
        return [], layer, [f"expected one recipe in {layer}, found {len(recipes)}"]
    text = recipes[0].read_text()
    v = recipe_vars(text)

    for name in ("SUMMARY", "LICENSE", "LIC_FILES_CHKSUM", "SRC_URI", "SRCREV", "DEPENDS", "PACKAGECONFIG"):
        if name not in v and not any(k.startswith(name + "[") for k in v):
            errors.append(f"recipe sets no {name}")
    if not re.search(r"^inherit\s+.*\bmeson\b", text, re.M):
        errors.append("recipe does not inherit meson")
    if "LGPL-2.1-or-later" not in v.get("LICENSE", [""])[0]:
        errors.append("LICENSE is not LGPL-2.1-or-later")

    plugins = feature_options(src, extra_options_text)
    if not plugins:
        errors.append("meson_options.txt has no plugin feature options")
    configs = {k[len("PACKAGECONFIG["):-1]: vals[-1] for k, vals in v.items() if k.startswith("PACKAGECONFIG[")}
    for p in plugins:
        want = f"-D{p}=enabled,-D{p}=disabled"
        if p not in configs:
            errors.append(f"PACKAGECONFIG has no entry for meson option '{p}'")
        elif not configs[p].startswith(want):
            errors.append(f"PACKAGECONFIG[{p}] = \"{configs[p]}\" does not start with \"{want}\"")
        files = v.get(f"FILES:${{PN}}-{p}", [])
        if not any(f"libgst{p}.so" in f for f in files):
            errors.append(f"no package ${{PN}}-{p} holding libgst{p}.so")
        if f"${{PN}}-{p}" not in " ".join(v.get("PACKAGES", [])):
            errors.append(f"${{PN}}-{p} is not in PACKAGES")
    for p in configs:
        if p not in plugins:
            errors.append(f"PACKAGECONFIG[{p}] has no meson feature option")

    depends = set(" ".join(v.get("DEPENDS", [])).split())
    for dep in sorted(pkgconfig_deps(src) | set(extra_deps)):
        recipe = PKGCONFIG_RECIPES.get(dep)
        if recipe is None:
            errors.append(f"pkg-config module '{dep}' has no known openembedded-core recipe: add it to this test")
        elif dep in TEST_ONLY:
            if recipe not in text:
                errors.append(f"test dependency '{dep}' ({recipe}) not in the ptest DEPENDS")
        elif recipe not in depends:
            errors.append(f"pkg-config module '{dep}' needs '{recipe}' in DEPENDS")

    conf = (layer / "conf" / "layer.conf").read_text()
    if not re.search(r'LAYERSERIES_COMPAT_gst-e2ee\s*=\s*"[^"]*\bwrynose\b', conf):
        errors.append("layer.conf does not declare the current LTS (wrynose) in LAYERSERIES_COMPAT")
    if not (layer / "README.md").exists():
        errors.append("the layer has no README.md")

    return plugins, recipes[0], errors


def main():
    src = pathlib.Path(sys.argv[1]).resolve()
    if sys.argv[2:] == ["--self-check"]:
        _, _, extra = check(src, "\noption('newplugin', type: 'feature', value: 'auto')\n")
        _, _, dep = check(src, extra_deps=["libfoo-9"])
        caught = any("'newplugin'" in e for e in extra) and any("libfoo-9" in e for e in dep)
        print("drift caught" if caught else f"drift NOT caught: {extra} {dep}")
        return 0 if caught else 1
    plugins, recipe, errors = check(src)
    for e in errors:
        print("MISMATCH:", e)
    print(f"{len(plugins)} plugin option(s) checked against {recipe.relative_to(src)}: "
          f"{'OK' if not errors else str(len(errors)) + ' mismatch(es)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
