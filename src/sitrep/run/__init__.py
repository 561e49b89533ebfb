"""Running the flow: the `Pipeline` that holds the loaded resources and runs every stage, the engines that run
it in one process or on Dask, and `watch`, which polls feeds."""
