"""One local Spark session for every test in this folder (starting one takes seconds),
small enough for a two-core machine; and the job's folder on sys.path, so that the
tests import `components` and `nuskha_spark` when run from the repository root as
`pytest spark/tests`."""

import os
import sys

import pytest

SPARK_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SPARK_DIR not in sys.path:
    sys.path.insert(0, SPARK_DIR)

# Python workers (UDFs, mapInArrow) must run this interpreter, with its packages.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
# Only this machine: no lookup of the host's name, no other address.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("nuskha-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
