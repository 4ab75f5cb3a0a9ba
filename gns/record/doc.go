// Package record implements GNS resource records and record sets as
// RFC 9498 sections "Resource Records" and "Plaintext Record Data
// (RDATA)" define them, with GNUnet's record type numbers and
// the text forms that gnunet-namestore reads and prints.
//
// A record set (RDATA) is the concatenation of records, each laid out as
// follows, integers big-endian:
//
//	0                       8           10          12          16
//	+-----------------------+-----------+-----------+-----------+
//	| EXPIRATION (8)        | DATA SIZE | FLAGS     | TYPE      |
//	+-----------------------+-----------+-----------+-----------+
//	| DATA (DATA SIZE bytes)                                    |
//	+-----------------------------------------------------------+
//
// followed by zero bytes up to the next power of two, unless the first
// record is a zone delegation (PKEY or EDKEY), which GNUnet never pads.
// A parser stops at the end of the data or at a record header of 16 zero
// bytes, where the padding begins.
package record
