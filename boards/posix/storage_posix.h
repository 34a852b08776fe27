/* POSIX storage (storage_posix.c): where the blobs go. */
#ifndef EDGEPROP_STORAGE_POSIX_H
#define EDGEPROP_STORAGE_POSIX_H

#ifdef __cplusplus
extern "C" {
#endif

/* Blobs are files DIR/KEY.blob (default: the current directory). */
int ep_storage_posix_dir(const char *dir);

#ifdef __cplusplus
}
#endif

#endif
