from cpmetrics.cli import main

main()
