namespace Berth.Api;

/// <summary>
/// The one error type on both sides of the wire: the server turns it into LXD's error envelope with
/// <see cref="Status"/> as HTTP code and <c>error_code</c>; the client rebuilds it from that envelope.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(int status, string message) : base(message) => Status = status;

    public ApiException(int status, string message, Exception inner) : base(message, inner) => Status = status;

    public ApiException() : this(500, "Internal error") { }

    public ApiException(string message) : this(500, message) { }

    public ApiException(string message, Exception inner) : this(500, message, inner) { }

    public int Status { get; }

    public static ApiException BadRequest(string message) => new(400, message);

    public static ApiException NotFound(string message) => new(404, message);

    public static ApiException Conflict(string message) => new(409, message);

    public static ApiException PreconditionFailed(string message) => new(412, message);
}
