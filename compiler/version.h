/*
 * version.h - the versions of corsc and of the libraries it runs with.
 */
#ifndef CORSC_VERSION_H
#define CORSC_VERSION_H

#include "strbuf.h"

/* "libyaml 0.2.5, libpsl 0.21.2, libidn2 2.3.3", as linked at run time. */
void version_libraries(struct strbuf *sb);

#endif
