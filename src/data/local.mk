# src/data: images (PNG/JPEG decoding with EXIF orientation, PNG writing,
# OpenCV-exact bilinear resize, drawing).
noinst_LIBRARIES += src/data/libmd-data.a
MD_AREA_LIBS += src/data/libmd-data.a
src_data_libmd_data_a_SOURCES = \
	src/data/image.c src/data/image.h \
	src/data/resize.c src/data/draw.c
