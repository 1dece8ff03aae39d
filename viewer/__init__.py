"""mediaboard's viewing side: reads run folders (through ``media.runfolder`` only) and writes a
static site that opens from ``file://`` with no server."""
