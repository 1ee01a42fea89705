# format/: record layouts, the size-dispatch parser and the capture file.
LIB_SRCS += format/error.c format/parse.c format/xxh64.c format/pcapng.c \
	format/chunk.c format/meta.c format/writer.c format/reader.c
PUBLIC_HEADERS += format/events.h format/aa_error.h format/parse.h \
	format/writer.h format/capfile.h
