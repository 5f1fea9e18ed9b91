"""Data files vendored for the tools (a package so that installs ship the files)."""
