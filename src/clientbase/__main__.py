from clientbase.cli.main import run

if __name__ == "__main__":  # import workers re-import the main module; they must not run the CLI
    run()
