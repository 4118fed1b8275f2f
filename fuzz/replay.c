/*
 * fuzz/replay.c: a standalone main() for any fuzz target, so `make test`
 * replays the corpus without libFuzzer (built with ASan and UBSan). Each
 * argument is a file or a directory of files.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static long nrun;

static int
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long len;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (fp)
			fclose(fp);
		return -1;
	}
	rewind(fp);
	/* an exact-size copy, so ASan sees any over-read */
	if ((buf = malloc(len ? (size_t)len : 1)) == NULL ||
	    fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	nrun++;
	return 0;
}

static int
replay(const char *path)
{
	struct stat st;
	struct dirent **ents;
	int n, rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: no %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	if ((n = scandir(path, &ents, NULL, alphasort)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char full[4096];

		if (ents[i]->d_name[0] != '.') {
			snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name);
			if (replay(full) != 0)
				rc = -1;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (replay(argv[i]) != 0)
			rc = 1;
	if (rc == 0 && nrun > 0)
		printf("ok - %s replayed %ld corpus inputs\n", argv[0], nrun);
	else
		printf("not ok - %s replayed %ld corpus inputs\n", argv[0], nrun);
	return rc || nrun == 0;
}
