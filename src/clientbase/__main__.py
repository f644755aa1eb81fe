from clientbase.cli.main import run

run()
