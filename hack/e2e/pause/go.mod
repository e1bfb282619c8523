// The pause (sandbox) image's program for make e2e: built here, so no registry is needed.
module bmspower.io/e2e/pause

go 1.24.0
