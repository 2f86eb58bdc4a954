using Berth.Api;
using Berth.Server.Images;

namespace Berth.Daemon.Http;

/// <summary>
/// Who may see which image: trusted clients see all; untrusted ones (HTTPS without a trusted certificate) see
/// public images, and a private one only with a live secret from <c>POST /1.0/images/&lt;fp&gt;/secret</c>.
/// </summary>
internal static class ImageAccess
{
    public static bool MaySee(this HttpContext context, Image image, ImageSecrets secrets, bool spendSecret = false) =>
        context.IsTrusted() || image.Public || secrets.IsValid(image.Fingerprint, context.Request.Query["secret"].ToString(), spendSecret);

    /// <summary>An image hidden from this client is reported as missing, as LXD does.</summary>
    public static void RequireMaySee(this HttpContext context, Image image, ImageSecrets secrets, bool spendSecret = false)
    {
        if (!context.MaySee(image, secrets, spendSecret))
        {
            throw new ApiException(404, "Image not found");
        }
    }
}
