/* main.c - the command line: dispatches to the subcommands (see cli.h). */
#include <stdio.h>

int main(void)
{
    puts("shuniu");
    return 0;
}
