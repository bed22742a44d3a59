// Every test process logs quietly unless asked otherwise.
process.env.LOG_LEVEL ??= 'silent';
