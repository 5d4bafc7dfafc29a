module kvmrc/govmm

go 1.19
