"""Every write in the organisation app, one module per concern: ``officers`` (appointments,
roles ended, AGMs, the Data Manager's agreement), ``review`` (recognition reviewed, the criteria,
de-recognition) and ``appeals``; ``common`` holds the error and the officers' notice they share.
"""
