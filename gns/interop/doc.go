// Package interop holds tests that check hush's GNS blocks against a
// real GNUnet 0.19 peer. The package has no API: its tests start a
// private GNUnet peer inside a network namespace that has only a
// loopback interface, publish records with GNUnet's command-line tools
// and compare GNUnet's blocks with the blocks that hush builds.
//
// TestGNUnetResolvesHushBlocks goes the other way: it stores blocks that
// hush sealed in GNUnet's namecache and resolves them with gnunet-gns.
//
// The live tests need root, the `ip` tool and GNUnet's tools on PATH.
// Without them they skip. TestGNUnetPeerBlocks reads the blocks from
// GNUnet's namecache service over its UNIX socket. With -record it writes
// them to testdata/gnunet-0.19-live.json, and TestRecordedGNUnetBlocks
// repeats the block checks on that file without GNUnet.
package interop
