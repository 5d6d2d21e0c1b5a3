from hello_layers.cli import main

main()
