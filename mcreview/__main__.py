from mcreview.cli import main

main()
