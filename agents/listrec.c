/* listrec.c — see listrec.h. */
#include "agents/listrec.h"

#include "lib/util.h"

const struct lrec_field lrec_fields[LREC_NFIELDS] = {
	{ 1, "PM|HOST", "ContainingMachine" },
	{ 2, "TYPE|ST|STYPE", "SessionType" },
	{ 3, "LABEL", "Label" },
	{ 4, "ID|PATHNAME|PNAME|P", "ID" },
	{ 5, "UUID", "UUID" },
	{ 6, "MAC", "MAC" },
	{ 7, "TCP", "TCP" },
	{ 8, "DISPLAY", "DISPLAY" },
	{ 9, "CPORT", "ClientAccessPort" },
	{ 10, "SPORT", "ServerAccessPort" },
	{ 11, "PID", "PID" },
	{ 12, "USER|UID", "UID" },
	{ 13, "GROUP|GID", "GUID" },
	{ 14, "SITE", "C/S-Type" },
	{ 15, "JOBID|JID", "JobID" },
	{ 16, "IFNAME|IF", "IFNAME" },
	{ 17, "RESERVED1", "RESERVED1" },
	{ 18, "CONTEXTSTRG|CSTRG", "CONTEXTSTRG" },
	{ 19, "EXEPATH|EXEP", "EXECPATH" },
	{ 20, "HYPERRELRUN|HRELRUN|HRELX|HRX", "HYPERRELRUN" },
	{ 21, "ACCELERATOR|ACCEL", "ACCELERATOR" },
	{ 22, "ARCH", "ARCH" },
};

/* actions.md §4.1: 1<-1, 2<-12, 3<-2, 4<-3, 5<-4, 6<-5, 7<-14, 8<-6, 9<-7,
 * 10<-8, 11<-9, 12<-10, 13<-11, 14<-13, 15..22<-15..22 */
const unsigned char lrec_src[LREC_NFIELDS] = { 1, 12, 2, 3, 4, 5, 14, 6, 7, 8, 9, 10, 11, 13,
	15, 16, 17, 18, 19, 20, 21, 22 };

unsigned
lrec_field_by_key(const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < LREC_NFIELDS; i++)
		if (kw_match(lrec_fields[i].keys, word, len))
			return lrec_fields[i].num;
	return 0;
}
