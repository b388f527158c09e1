"""A real Dask workload: connect to the cluster daskq started and reduce a dask.array."""
import os

import dask.array as da
from distributed import Client

client = Client(os.environ["DASK_SCHEDULER_ADDRESS"], timeout=60)
client.wait_for_workers(2, timeout=120)
x = da.random.random((4000, 4000), chunks=(500, 500))
total = (x + x.T).mean().compute()
ones = da.ones((2000, 2000), chunks=(250, 250)).sum().compute()
print(f"workers: {len(client.scheduler_info()['workers'])}")
print(f"mean of x + x.T: {total:.4f} (expected close to 1.0)")
print(f"sum of ones: {int(ones)} (expected 4000000)")
client.close()
