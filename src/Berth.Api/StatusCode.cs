namespace Berth.Api;

/// <summary>LXD's status codes (shared/api/status_code.go); the names are exact wire strings.</summary>
public static class StatusCode
{
    public const int OperationCreated = 100;
    public const int Started = 101;
    public const int Stopped = 102;
    public const int Running = 103;
    public const int Cancelling = 104;
    public const int Pending = 105;
    public const int Starting = 106;
    public const int Stopping = 107;
    public const int Aborting = 108;
    public const int Freezing = 109;
    public const int Frozen = 110;
    public const int Thawed = 111;
    public const int Error = 112;
    public const int Ready = 113;
    public const int Success = 200;
    public const int Failure = 400;
    public const int Cancelled = 401;

    public static string Name(int code) => code switch
    {
        OperationCreated => "Operation created",
        Started => "Started",
        Stopped => "Stopped",
        Running => "Running",
        Cancelling => "Cancelling",
        Pending => "Pending",
        Starting => "Starting",
        Stopping => "Stopping",
        Aborting => "Aborting",
        Freezing => "Freezing",
        Frozen => "Frozen",
        Thawed => "Thawed",
        Error => "Error",
        Ready => "Ready",
        Success => "Success",
        Failure => "Failure",
        Cancelled => "Cancelled",
        _ => "",
    };

    /// <summary>Final states are those at or above 200 (IsFinal in LXD).</summary>
    public static bool IsFinal(int code) => code >= 200;
}
