"""The flytekit app the engine benchmark registers: `import benchflows` from bench/apps, as pyflyte would."""
