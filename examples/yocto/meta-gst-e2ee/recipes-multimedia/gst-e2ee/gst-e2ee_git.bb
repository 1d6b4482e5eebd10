# SPDX-License-Identifier: LGPL-2.1-or-later
SUMMARY = "GStreamer plugins for end-to-end encrypted conferencing (SFrame, MLS, SFU, DTLS-SRTP)"
DESCRIPTION = "sframeenc/sframedec (RFC 9605) and the libgste2ee-1.0 keyring library, for \
room appliances that encrypt media end to end before it reaches a Selective Forwarding Unit."
HOMEPAGE = "https://github.com/gst-e2ee/gst-e2ee"
SECTION = "multimedia"
LICENSE = "LGPL-2.1-or-later"
LIC_FILES_CHKSUM = "file://LICENSE;md5=4fbd65380cdd255951079008b364516c"

# Everything the meson build looks up with pkg-config, as openembedded-core
# recipes (gstreamer-video/-rtp/-sdp/-app come with gstreamer1.0-plugins-base).
DEPENDS = "glib-2.0 gstreamer1.0 gstreamer1.0-plugins-base openssl libsrtp libnice"

SRC_URI = "git://github.com/gst-e2ee/gst-e2ee.git;protocol=https;branch=main \
           file://run-ptest"
# Pin a release commit in your own layer or a .bbappend:
#   SRCREV:pn-gst-e2ee = "<commit>"
SRCREV = "${AUTOREV}"
PV = "0.1.0+git"
# Since Yocto 5.2 a git SRC_URI unpacks into ${UNPACKDIR}/${BP}, the default
# S, so S is not set here (scarthgap needs S = "${WORKDIR}/git").

inherit meson pkgconfig ptest

# One option per plugin, each mapped to the plugin's meson feature option
# (meson_options.txt); tests/check/appliance/yocto-recipe.py keeps the two in step.
PACKAGECONFIG ??= "sframe mls sfu transport room"
PACKAGECONFIG[sframe] = "-Dsframe=enabled,-Dsframe=disabled,openssl"
PACKAGECONFIG[mls] = "-Dmls=enabled,-Dmls=disabled,openssl"
PACKAGECONFIG[sfu] = "-Dsfu=enabled,-Dsfu=disabled"
PACKAGECONFIG[transport] = "-Dtransport=enabled,-Dtransport=disabled,openssl libsrtp libnice"
PACKAGECONFIG[room] = "-Droom=enabled,-Droom=disabled,openssl"

# Programs for a desktop and benchmarks are not for the image; the Check
# tests are built only for ptest images.
EXTRA_OEMESON += " \
    -Dexamples=disabled \
    -Dbenchmarks=disabled \
    -Dtests=${@bb.utils.contains('PTEST_ENABLED', '1', 'enabled', 'disabled', d)} \
"
DEPENDS += "${@bb.utils.contains('PTEST_ENABLED', '1', 'check', '', d)}"

# Each plugin in its own package, like gstreamer1.0-plugins-*; the keyring
# library in ${PN} (libgste2ee-1.0), its headers and .pc in ${PN}-dev.
PACKAGES =+ "${PN}-sframe ${PN}-mls ${PN}-sfu ${PN}-transport ${PN}-room ${PN}-room-server"
FILES:${PN}-sframe = "${libdir}/gstreamer-1.0/libgstsframe.so"
RDEPENDS:${PN}-sframe = "${PN}"
# MLS: the mlskeyer plugin and the mlsctl tool, as they land (the core is
# static, linked into them).
FILES:${PN}-mls = "${libdir}/gstreamer-1.0/libgstmls.so ${bindir}/mlsctl"
RDEPENDS:${PN}-mls = "${PN}"
# sfuforward, for an SFU built on an appliance-class box: GStreamer only.
FILES:${PN}-sfu = "${libdir}/gstreamer-1.0/libgstsfu.so"
# The hop-by-hop transport (ICE, DTLS-SRTP, SRTP): peertransport, srtpanydec.
FILES:${PN}-transport = "${libdir}/gstreamer-1.0/libgsttransport.so"
RDEPENDS:${PN}-transport = "${PN}"
# The appliance elements roomsink, roomsrc and roomrecorder (they drive the
# transport, mls and sframe plugins inside; the recorder writes WebM through
# splitmuxsink; gst-e2ee-room-archive decrypts its ciphertext archives); the
# room server and its token tool apart, for the box that runs the server.
FILES:${PN}-room = "${libdir}/gstreamer-1.0/libgstroom.so ${bindir}/gst-e2ee-room-archive"
RDEPENDS:${PN}-room = "${PN} ${PN}-transport ${PN}-mls ${PN}-sframe gstreamer1.0-plugins-base-app \
                       gstreamer1.0-plugins-good-vpx gstreamer1.0-plugins-base-opus \
                       gstreamer1.0-plugins-good-rtp gstreamer1.0-plugins-good-rtpmanager \
                       gstreamer1.0-plugins-good-matroska gstreamer1.0-plugins-good-multifile \
                       gstreamer1.0-plugins-bad-opusparse"
FILES:${PN}-room-server = "${bindir}/gst-e2ee-room ${bindir}/gst-e2ee-room-token"
RDEPENDS:${PN}-room-server = "${PN}-sfu ${PN}-transport"
FILES:${PN}-dev += "${libdir}/gstreamer-1.0/*.la"

# The GStreamer-free core tests and the element tests, run on the target
# with the installed plugins (run-ptest).
PTEST_PROGRAMS = "sframe-header sframe-frames sframe-tamper sframe-replay sframe-counters \
                  sframe-no-allocation elements-sframeenc elements-sframedec"
do_install_ptest() {
    install -d ${D}${PTEST_PATH}/tests
    for t in ${PTEST_PROGRAMS}; do
        f=$(find ${B}/tests/check -type f -name "$t" | head -n 1)
        install -m 0755 "$f" ${D}${PTEST_PATH}/tests/
    done
}
RDEPENDS:${PN}-ptest += "${PN}-sframe gstreamer1.0-plugins-base-app gstreamer1.0-plugins-base-videotestsrc"
