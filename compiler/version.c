/*
 * version.c - report the run-time versions of the libraries corsc uses.
 */
#include "version.h"

#include <idn2.h>
#include <libpsl.h>
#include <yaml.h>

void version_libraries(struct strbuf *sb)
{
	sb_printf(sb, "libyaml %s, libpsl %s, libidn2 %s", yaml_get_version_string(),
		  psl_get_version(), idn2_check_version(NULL));
}
